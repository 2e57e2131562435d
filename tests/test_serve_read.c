/* test_serve_read.c — the reader of POST /api/predict's body (cli/serve_read.c)
 * against cJSON: whatever it takes, cJSON parses to the same numbers; what
 * cJSON refuses, it refuses; where it is stricter than cJSON (text after the
 * object, a name given twice, numbers outside JSON's grammar) it says so in
 * a message; and bodies cut short or mutated at random never get past it. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cli/serve.h"
#include "testutil.h"

enum { N_IN = 3 };   /* the inputs of the table network the requests are for */

/* What a request comes to: its status and numbers. */
typedef struct {
    int     status;
    int     image;
    size_t  width, height, n;
    double  v[64];   /* pixels or inputs */
    char    msg[256];
} reading;

static reading read_new(const char *body)
{
    reading out = {0};
    serve_request req;
    out.status = serve_parse_predict(body, strlen(body), N_IN, 1, &req, out.msg,
                                     sizeof out.msg);
    if (out.status == 200) {
        out.image = req.image;
        out.width = req.width, out.height = req.height;
        out.n = req.image ? req.width * req.height : N_IN;
        for (size_t i = 0; i < out.n && i < 64; i++)
            out.v[i] = req.image ? req.pixels[i] : req.inputs[i];
        serve_request_free(&req);
    }
    return out;
}

/* The same request read through a cJSON tree, by the rules of the API. */
static int whole(const cJSON *v, size_t *out)
{
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= 1 && v->valuedouble <= SERVE_MAX_SIDE) ||
        v->valuedouble != floor(v->valuedouble))
        return 0;
    *out = (size_t)v->valuedouble;
    return 1;
}

static reading read_cjson(const char *body)
{
    reading out = {.status = 400};
    cJSON *root = cJSON_ParseWithLength(body, strlen(body));
    const cJSON *img = cJSON_GetObjectItemCaseSensitive(root, "image");
    const cJSON *in = cJSON_GetObjectItemCaseSensitive(root, "inputs");
    if (!cJSON_IsObject(root) || !img == !in)
        goto done;
    const cJSON *list = in;
    size_t n = N_IN;
    if (img) {
        list = cJSON_GetObjectItemCaseSensitive(img, "pixels");
        if (!whole(cJSON_GetObjectItemCaseSensitive(img, "width"), &out.width) ||
            !whole(cJSON_GetObjectItemCaseSensitive(img, "height"), &out.height))
            goto done;
        n = out.width * out.height;
    }
    if (!cJSON_IsArray(list) || (size_t)cJSON_GetArraySize(list) != n || n > 64)
        goto done;
    size_t i = 0;
    for (const cJSON *v = list->child; v; v = v->next, i++) {
        double x = v->valuedouble;
        if (!cJSON_IsNumber(v) || (img ? !(x >= 0 && x <= 255) : !(fabs(x) <= 3e38)))
            goto done;
        out.v[i] = img ? (double)(uint8_t)lround(x) : (double)(float)x;
    }
    out.status = 200, out.image = img != NULL, out.n = n;
done:
    cJSON_Delete(root);
    return out;
}

static void assert_same(const char *body)
{
    reading a = read_new(body), b = read_cjson(body);
    if (a.status != b.status)
        fail_msg("%s: status %d (%s), cJSON's reading %d", body, a.status, a.msg, b.status);
    if (a.status != 200) {
        if (!a.msg[0])
            fail_msg("%s: refused without a message", body);
        return;
    }
    assert_int_equal(a.image, b.image);
    assert_int_equal(a.n, b.n);
    assert_int_equal(a.width, b.width);
    assert_int_equal(a.height, b.height);
    for (size_t i = 0; i < a.n; i++)
        if (memcmp(&a.v[i], &b.v[i], sizeof a.v[i]))   /* bit for bit: -0 too */
            fail_msg("%s: number %zu is %.17g, cJSON's %.17g", body, i, a.v[i], b.v[i]);
}

/* Refused, where cJSON would take it, with a message that says msg. */
static void assert_stricter(const char *body, const char *msg)
{
    reading a = read_new(body);
    if (a.status != 400 || !strstr(a.msg, msg))
        fail_msg("%s: status %d, message '%s', not '%s'", body, a.status, a.msg, msg);
}

static void agrees_with_cjson(void **state)
{
    (void)state;
    const char *bodies[] = {
        /* taken */
        "{\"inputs\": [1, 2, 3]}",
        " \t\r\n{ \"inputs\" : [ -0 , 0.5e-3 , 1E+2 ] } \n",
        "{\"inputs\": [0.1, 0.2, 0.30000000000000004]}",
        "{\"inputs\": [123456789012345678901234567890, 1e-30, -2.5e+37]}",
        "{\"inputs\": [9007199254740993, 0.1234567890123456789, 1e22]}",
        "{\"inputs\": [4.9e-324, 2.2250738585072014e-308, 3e38]}",
        "{\"inputs\": [0.000001, 1.5e-45, 1e23]}",
        "{\"note\": {\"a\": [true, false, null, \"x\\n\\u00e9\\ud83d\\ude00\"]}, \"inputs\": [0,0,0]}",
        "{\"\\u0069nputs\": [7, 8, 9]}",
        "{\"image\": {\"width\": 2, \"height\": 1, \"pixels\": [0, 255]}}",
        "{\"image\": {\"pixels\": [1, 2.5, 254.6, 0.49, 3, 4], \"height\": 2, \"width\": 3.0}}",
        "{\"image\": {\"width\": 1e0, \"height\": 2, \"pixels\": [1, 2], \"depth\": 8}}",
        /* refused by both */
        "", " ", "{", "}", "[]", "null", "7", "\"inputs\"", "{\"inputs\"}", "{\"inputs\": }",
        "{\"inputs\": [1, 2", "{\"inputs\": [1, 2, 3]", "{\"inputs\": 5}",
        "{\"inputs\": [\"a\", 2, 3]}", "{\"inputs\": [1, 2]}", "{\"inputs\": [1, 2, 3, 4]}",
        "{\"inputs\": [1e999, 2, 3]}", "{\"inputs\": [-1e39, 2, 3]}", "{\"inputs\": [[1], 2, 3]}",
        "{\"inputs\": [null, 2, 3]}", "{}", "{\"image\": 1}", "{\"image\": []}",
        "{\"inputs\": [1, 2, 3], \"image\": {}}",
        "{\"image\": {\"width\": 2, \"height\": 2, \"pixels\": [1, 2, 3]}}",
        "{\"image\": {\"width\": 2, \"height\": 2, \"pixels\": [1, 2, 3, 300]}}",
        "{\"image\": {\"width\": 2, \"height\": 2, \"pixels\": [1, 2, 3, -0.6]}}",
        "{\"image\": {\"width\": -2, \"height\": 2, \"pixels\": []}}",
        "{\"image\": {\"width\": 2.5, \"height\": 2, \"pixels\": []}}",
        "{\"image\": {\"width\": 1e12, \"height\": 1e12, \"pixels\": []}}",
        "{\"image\": {\"width\": \"2\", \"height\": 1, \"pixels\": [1, 2]}}",
        "{\"image\": {\"width\": 2, \"height\": 1}}",
        "{\"image\": {\"width\": 2, \"height\": 1, \"pixels\": {}}}",
        "{\"Inputs\": [1, 2, 3]}",
        "{\"inputs\": [1, 2, 3], \"x\": \"\\q\"}",
        "{\"inputs\": [1, 2, 3], \"x\": tru}",
        "{\"inputs\": [1, 2, 3] \"x\": 1}",
        "{\"inputs\" [1, 2, 3]}",
        "{inputs: [1, 2, 3]}",
        "{\"inputs\": [1, 2, 3], \"x\": \"\\ud800\"}",
        "{\"inputs\": [1, 2, 3], \"x\": \"\\udc00\"}",
        "{\"inputs\": [1 2 3]}",
        "{\"inputs\": [1, , 3]}",
        "{\"inputs\": [.5, 2, 3]}",
        "{\"inputs\": [+1, 2, 3]}",
        "{\"inputs\": [-, 2, 3]}",
        "{\"inputs\": [NaN, 2, 3]}",
        "{\"inputs\": [Infinity, 2, 3]}",
        "{\"inputs\": [0x10, 2, 3]}",
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++)
        assert_same(bodies[i]);
    /* whatever a cut leaves of a request is refused by both, with a message */
    const char *whole_body = "{\"note\": [{\"a\": \"\\u00e9\"}, -1.5e-3, true], \"image\": "
                             "{\"width\": 2, \"height\": 1, \"pixels\": [0, 255]}}";
    char cut[256];
    for (size_t n = 0; n < strlen(whole_body); n++) {
        memcpy(cut, whole_body, n);
        cut[n] = '\0';
        assert_same(cut);
        assert_int_equal(read_new(cut).status, 400);
    }
    assert_same(whole_body);
    assert_int_equal(read_new(whole_body).status, 200);
}

static void stricter_than_cjson(void **state)
{
    (void)state;
    assert_stricter("{\"inputs\": [1, 2, 3]} x", "more follows the object at byte 22");
    assert_stricter("{\"inputs\": [1, 2, 3]}{}", "more follows");
    assert_stricter("{\"inputs\": [01, 2, 3]}", "',' or ']' was expected at byte 13");
    assert_stricter("{\"inputs\": [1., 2, 3]}", "a digit was expected after the point");
    assert_stricter("{\"inputs\": [1e, 2, 3]}", "a digit was expected in an exponent");
    assert_stricter("{\"inputs\": [1, 2, 3], \"inputs\": [1, 2, 3]}", "\"inputs\" is given twice");
    assert_stricter("{\"image\": {\"width\": 1, \"width\": 1, \"height\": 1, \"pixels\": [9]}}",
                    "\"width\" is given twice");
    assert_stricter("{\"inputs\": [1, 2, 3], \"x\": \"a\tb\"}", "a control character");
    assert_stricter("{\"inputs\": [1, 2, 3], \"x\": [1,]}", "a value was expected");
    assert_stricter("{\"inputs\": [1, 2, 3], \"x\": {\"a\": 1,}}", "a name in quotes");
    char deep[256] = "{\"inputs\": [1, 2, 3], \"x\": ";
    size_t n = strlen(deep);
    memset(deep + n, '[', 100);
    memset(deep + n + 100, ']', 100);
    strcpy(deep + n + 200, "}");
    assert_stricter(deep, "nested too deeply");
    /* and the messages of the API */
    reading r = read_new("{\"inputs\": [1, 2]}");
    assert_string_equal(r.msg, "\"inputs\": 2 numbers; the network takes 3");
    r = read_new("{\"inputs\": [1, true, 3]}");
    assert_string_equal(r.msg, "\"inputs\": input 1 is not a finite number");
    r = read_new("{\"image\": {\"width\": 2, \"height\": 1, \"pixels\": [0, 256]}}");
    assert_string_equal(r.msg, "\"image\": pixel 1 is not a grey level 0-255");
    r = read_new("{\"image\": {\"pixels\": [0, 1, 2], \"width\": 2, \"height\": 1}}");
    assert_string_equal(r.msg, "\"image\": 3 pixels for 2 x 1, which is 2");
    serve_request req;
    char msg[128];
    const char *img = "{\"image\": {\"width\": 1, \"height\": 1, \"pixels\": [0]}}";
    assert_int_equal(serve_parse_predict(img, strlen(img), 3, 0, &req, msg, sizeof msg), 400);
    assert_non_null(strstr(msg, "not an image"));
}

/* Numbers as printed by %g, %.9g and %.17g, and by hand, read as strtod reads them. */
static void numbers_as_strtod(void **state)
{
    (void)state;
    uint64_t g = 5;
    const char *formats[] = {"%.17g", "%.9g", "%.6g", "%g", "%.3e", "%.0f", "%.12f"};
    for (int i = 0; i < 20000; i++) {
        double mag = pow(10.0, test_uniform(&g, -40.0f, 38.0f));
        double x = test_uniform(&g, -1.0f, 1.0f) * mag;
        char text[512], body[600];
        snprintf(text, sizeof text, formats[i % 7], x);
        snprintf(body, sizeof body, "{\"inputs\": [%s, 0, 0]}", text);
        reading a = read_new(body);
        if (a.status != 200)
            fail_msg("%s: %s", body, a.msg);
        double want = strtod(text, NULL);
        if ((float)a.v[0] != (float)want && !(fabs(want) > 3e38))
            fail_msg("%s read as %.9g, strtod's %.9g", text, a.v[0], want);
    }
}

/* Bodies changed a few bytes at a time: what the reader takes, cJSON reads
 * to the same numbers; what cJSON refuses, the reader refuses. */
static void mutations(void **state)
{
    (void)state;
    const char *seeds[] = {
        "{\"inputs\": [1.5, -2e-3, 30]}",
        "{\"image\": {\"width\": 2, \"height\": 2, \"pixels\": [0, 12.5, 255, 7]}, \"x\": [null]}",
        "{\"x\": {\"y\": \"\\u00e9\\\"\"}, \"inputs\": [0, 0, 1E2]}",
    };
    const char alphabet[] = "{}[]\",:0123456789.-+eE \\u\"tfn";
    uint64_t g = 17;
    char body[256];
    for (int i = 0; i < 30000; i++) {
        const char *seed = seeds[i % 3];
        size_t n = strlen(seed);
        memcpy(body, seed, n + 1);
        int changes = 1 + (int)test_uniform(&g, 0.0f, 2.99f);
        for (int c = 0; c < changes; c++) {
            size_t at = (size_t)test_uniform(&g, 0.0f, (float)n - 0.01f);
            int kind = (int)test_uniform(&g, 0.0f, 2.99f);
            char ch = alphabet[(size_t)test_uniform(&g, 0.0f, sizeof alphabet - 1.01f)];
            if (kind == 0)
                body[at] = ch;   /* replaced */
            else if (kind == 1 && n > 1)
                memmove(body + at, body + at + 1, n - at), n--;   /* removed */
            else if (n + 2 < sizeof body)
                memmove(body + at + 1, body + at, n - at + 1), body[at] = ch, n++;
        }
        reading a = read_new(body), b = read_cjson(body);
        if (a.status == 200 && (b.status != 200 || a.n != b.n ||
                                memcmp(a.v, b.v, a.n * sizeof a.v[0])))
            fail_msg("%s: taken, but cJSON's reading is %d", body, b.status);
        if (b.status != 200 && a.status == 200)
            fail_msg("%s: taken, cJSON refuses it", body);
        if (a.status != 200 && !a.msg[0])
            fail_msg("%s: refused without a message", body);
    }
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(agrees_with_cjson),
    cmocka_unit_test(stricter_than_cjson),
    cmocka_unit_test(numbers_as_strtod),
    cmocka_unit_test(mutations),
};
TEST_GROUP(serve_read_tests, "serve_read", tests);
