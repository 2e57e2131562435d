/* serve_read.c — the body of POST /api/predict read straight into a
 * serve_request, in one pass and without building a tree: a 280 x 280
 * drawing is 78,400 numbers, and a general JSON parser spends most of a
 * request's time allocating a node for each. The reader checks the whole of
 * JSON's grammar (RFC 8259) all the same, and says where it stops. */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve.h"

enum { MAX_DEPTH = 64 };   /* of a value the request does not use, skipped */

typedef struct {
    const char *start, *p, *end;
    char       *msg;
    size_t      cap;
} reader;

static int bad(reader *r, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static int bad(reader *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->msg, r->cap, fmt, ap);
    va_end(ap);
    return 400;
}

/* A fault of grammar, named with the byte it was found at. */
static int not_json(reader *r, const char *what)
{
    return bad(r, "the request is not JSON: %s at byte %zu", what, (size_t)(r->p - r->start));
}

static void space(reader *r)
{
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
        r->p++;
}

/* Whether the next byte, after white space, is c; taken if so. */
static int take(reader *r, char c)
{
    space(r);
    if (r->p < r->end && *r->p == c) {
        r->p++;
        return 1;
    }
    return 0;
}

static int hex4(reader *r, unsigned *out)
{
    if (r->end - r->p < 4)
        return 0;
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = *r->p++;
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return 0;
        v = v << 4 | (unsigned)d;
    }
    *out = v;
    return 1;
}

/* A string, its opening quote next; its ASCII characters go to name (cap
 * bytes), any other as 0x80, which matches no name the request uses. */
static int string(reader *r, char *name, size_t cap)
{
    size_t n = 0;
    r->p++;
    for (;;) {
        if (r->p == r->end)
            return not_json(r, "a string does not end");
        unsigned char c = (unsigned char)*r->p++;
        unsigned cp = c;
        if (c == '"')
            break;
        if (c < 0x20) {
            r->p--;
            return not_json(r, "a control character in a string");
        }
        if (c == '\\') {
            if (r->p == r->end)
                return not_json(r, "a string does not end");
            char e = *r->p++;
            const char *simple = strchr("\"\\/bfnrt", e);
            if (e && simple) {
                cp = (unsigned)"\"\\/\b\f\n\r\t"[simple - "\"\\/bfnrt"];
            } else if (e != 'u' || !hex4(r, &cp)) {
                return not_json(r, "a bad escape in a string");
            } else if (cp >= 0xdc00 && cp <= 0xdfff) {
                return not_json(r, "a lone low surrogate in a string");
            } else if (cp >= 0xd800 && cp <= 0xdbff) {   /* the pair's second half */
                unsigned low;
                if (r->end - r->p < 2 || r->p[0] != '\\' || r->p[1] != 'u' ||
                    (r->p += 2, !hex4(r, &low)) || low < 0xdc00 || low > 0xdfff)
                    return not_json(r, "a lone high surrogate in a string");
            }
        }
        if (n + 1 < cap)
            name[n++] = cp < 0x80 ? (char)cp : (char)0x80;
    }
    if (cap)
        name[n] = '\0';
    return 200;
}

/* A number by JSON's grammar: its value in *v. Most are short (digits, a
 * fraction, a small exponent) and exact as an integer times or over a power
 * of ten, one rounding, as strtod would give; the rest go to strtod, which
 * reads '.' as the point since the command never sets a locale. */
static int number(reader *r, double *v)
{
    static const double tens[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                  1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                  1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    const char *s = r->p, *e = r->end, *p = s;
    int neg = p < e && *p == '-';
    p += neg;
    uint64_t m = 0;
    int digits = 0, scale = 0;   /* significant digits in m; value m * 10^scale */
    if (p < e && *p == '0') {
        p++;
    } else if (p < e && *p >= '1' && *p <= '9') {
        for (; p < e && *p >= '0' && *p <= '9'; p++)
            if (digits < 19)
                m = m * 10 + (uint64_t)(*p - '0'), digits++;
            else
                scale++, digits++;
    } else {
        return not_json(r, "a value was expected");
    }
    if (p < e && *p == '.') {
        if (++p == e || *p < '0' || *p > '9') {
            r->p = p;
            return not_json(r, "a digit was expected after the point");
        }
        for (; p < e && *p >= '0' && *p <= '9'; p++)
            if (digits < 19) {
                m = m * 10 + (uint64_t)(*p - '0'), scale--;
                digits += m > 0;   /* leading zeros are not significant */
            } else {
                digits++;
            }
    }
    long exp = 0;
    if (p < e && (*p == 'e' || *p == 'E')) {
        p++;
        int eneg = p < e && *p == '-';
        p += p < e && (*p == '-' || *p == '+');
        if (p == e || *p < '0' || *p > '9') {
            r->p = p;
            return not_json(r, "a digit was expected in an exponent");
        }
        for (; p < e && *p >= '0' && *p <= '9'; p++)
            exp = exp < 100000 ? exp * 10 + (*p - '0') : exp;
        exp = eneg ? -exp : exp;
    }
    r->p = p;
    long k = scale + exp;
    if (digits <= 19 && m <= (1ull << 53) && k >= -22 && k <= 22) {
        double x = (double)m;
        x = k < 0 ? x / tens[-k] : x * tens[k];
        *v = neg ? -x : x;
        return 200;
    }
    size_t len = (size_t)(p - s);
    char small[64], *text = len < sizeof small ? small : malloc(len + 1);
    if (!text)
        return bad(r, "out of memory for a number of %zu characters", len);
    memcpy(text, s, len);
    text[len] = '\0';
    *v = strtod(text, NULL);
    if (text != small)
        free(text);
    return 200;
}

static int literal(reader *r, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n))
        return not_json(r, "a value was expected");
    r->p += n;
    return 200;
}

/* Any value, checked and passed over. */
static int skip(reader *r, int depth)
{
    space(r);
    if (r->p == r->end)
        return not_json(r, "a value was expected");
    if (depth > MAX_DEPTH)
        return not_json(r, "values nested too deeply");
    char c = *r->p;
    int s = 200;
    double v;
    if (c == '"')
        return string(r, NULL, 0);
    if (c == 't' || c == 'f' || c == 'n')
        return literal(r, c == 't' ? "true" : c == 'f' ? "false" : "null");
    if (c != '{' && c != '[')
        return number(r, &v);
    r->p++;
    char close = c == '{' ? '}' : ']';
    if (take(r, close))
        return 200;
    do {
        if (c == '{') {
            space(r);
            if (r->p == r->end || *r->p != '"')
                return not_json(r, "a name in quotes was expected");
            if ((s = string(r, NULL, 0)) != 200)
                return s;
            if (!take(r, ':'))
                return not_json(r, "':' was expected");
        }
        if ((s = skip(r, depth + 1)) != 200)
            return s;
    } while (take(r, ','));
    return take(r, close) ? 200 : not_json(r, c == '{' ? "',' or '}' was expected"
                                                       : "',' or ']' was expected");
}

/* The members of an object, its '{' next: for each, fn reads the value (its
 * status in *status) or returns 0 to have it skipped. */
typedef int member_fn(reader *r, const char *name, void *at, int *status);

static int members(reader *r, member_fn *fn, void *at)
{
    r->p++;
    if (take(r, '}'))
        return 200;
    do {
        space(r);
        if (r->p == r->end || *r->p != '"')
            return not_json(r, "a name in quotes was expected");
        char name[16];
        int s = string(r, name, sizeof name);
        if (s != 200)
            return s;
        if (!take(r, ':'))
            return not_json(r, "':' was expected");
        space(r);
        if (r->p == r->end)
            return not_json(r, "a value was expected");
        if (!fn(r, name, at, &s))
            s = skip(r, 1);
        if (s != 200)
            return s;
    } while (take(r, ','));
    return take(r, '}') ? 200 : not_json(r, "',' or '}' was expected");
}

/* A whole number of one to three digits, a grey level most often, with what
 * follows it ending it: read without number()'s general steps. */
static int short_whole(reader *r, double *v)
{
    const char *p = r->p;
    unsigned x = 0;
    int n = 0;
    for (; n < 4 && p + n < r->end && p[n] >= '0' && p[n] <= '9'; n++)
        x = x * 10 + (unsigned)(p[n] - '0');
    if (n == 0 || n == 4 || (n > 1 && p[0] == '0') || p + n == r->end ||
        (p[n] != ',' && p[n] != ']' && p[n] != ' ' && p[n] != '\n'))
        return 0;   /* the general way: it also says what is wrong */
    r->p = p + n;
    *v = x;
    return 1;
}

/* An array of numbers, its '[' next: each goes to fn(at, i, value), which
 * returns 0 when it cannot take it (then *which is i); *count is how many. */
typedef int element_fn(void *at, size_t i, double v);

static int numbers(reader *r, element_fn *fn, void *at, size_t *count, size_t *which,
                   int *refused)
{
    size_t n = 0;
    *refused = 0;
    r->p++;
    if (!take(r, ']')) {
        do {
            space(r);
            double v;
            if (r->p < r->end && (*r->p == '-' || (*r->p >= '0' && *r->p <= '9'))) {
                int s = short_whole(r, &v) ? 200 : number(r, &v);
                if (s != 200)
                    return s;
                if (!*refused && !fn(at, n, v))
                    *refused = 1, *which = n;
            } else {
                int s = skip(r, 1);
                if (s != 200)
                    return s;
                if (!*refused)
                    *refused = 1, *which = n;
            }
            n++;
        } while (take(r, ','));
        if (!take(r, ']'))
            return not_json(r, "',' or ']' was expected");
    }
    *count = n;
    return 200;
}

/* ---- {"inputs": [...]} ---------------------------------------------------- */

typedef struct {
    float *v;
    size_t n;
} input_list;

static int input_at(void *at, size_t i, double v)
{
    input_list *in = at;
    if (!isfinite(v) || fabs(v) > 3e38)
        return 0;
    if (i < in->n)
        in->v[i] = (float)v;
    return 1;
}

static int read_inputs(reader *r, size_t n_inputs, serve_request *req)
{
    if (*r->p != '[') {
        int s = skip(r, 1);
        return s != 200 ? s : bad(r, "\"inputs\" is not an array of numbers");
    }
    if (!(req->inputs = malloc((n_inputs ? n_inputs : 1) * sizeof *req->inputs)))
        return bad(r, "out of memory for %zu inputs", n_inputs);
    input_list in = {req->inputs, n_inputs};
    size_t n = 0, which = 0;
    int refused, s = numbers(r, input_at, &in, &n, &which, &refused);
    if (s != 200)
        return s;
    if (refused)
        return bad(r, "\"inputs\": input %zu is not a finite number", which);
    if (n != n_inputs)
        return bad(r, "\"inputs\": %zu numbers; the network takes %zu", n, n_inputs);
    return 200;
}

/* ---- {"image": {"width": W, "height": H, "pixels": [...]}} -------------- */

typedef struct {
    double   width, height;   /* NAN until given */
    int      has_pixels;
    uint8_t *pixels;
    size_t   n, cap;          /* pixels read, room for */
    size_t   which;           /* the first that is no grey level */
    int      refused;
} image_parts;

static int pixel_at(void *at, size_t i, double v)
{
    image_parts *im = at;
    if (!(v >= 0 && v <= 255))
        return 0;
    if (i == im->cap) {   /* before width and height, or more than they make */
        size_t cap = im->cap ? 2 * im->cap : 4096;
        uint8_t *more = realloc(im->pixels, cap);
        if (!more)
            return 0;
        im->pixels = more, im->cap = cap;
    }
    uint8_t k = (uint8_t)v;   /* rounded half away from zero, as lround */
    im->pixels[i] = (uint8_t)(k + (v - k >= 0.5));
    return 1;
}

static int image_member(reader *r, const char *name, void *at, int *status)
{
    image_parts *im = at;
    int w = !strcmp(name, "width"), h = !strcmp(name, "height"), p = !strcmp(name, "pixels");
    if (!w && !h && !p)
        return 0;
    if ((w && !isnan(im->width)) || (h && !isnan(im->height)) || (p && im->has_pixels)) {
        *status = bad(r, "\"image\": \"%s\" is given twice", name);
        return 1;
    }
    if (p) {
        im->has_pixels = 1;
        if (*r->p != '[') {
            int s = skip(r, 1);
            *status = s != 200 ? s : bad(r, "\"image\": \"pixels\" is not an array");
            return 1;
        }
        if (!isnan(im->width) && !isnan(im->height) && im->width * im->height >= 1 &&
            im->width * im->height <= (double)SERVE_MAX_SIDE * SERVE_MAX_SIDE) {
            im->cap = (size_t)(im->width * im->height);   /* the room it should need */
            if (!(im->pixels = malloc(im->cap)))
                im->cap = 0;
        }
        *status = numbers(r, pixel_at, im, &im->n, &im->which, &im->refused);
        return 1;
    }
    double v = NAN;
    if (*r->p == '-' || (*r->p >= '0' && *r->p <= '9')) {
        *status = number(r, &v);
    } else {
        *status = skip(r, 1);
        v = -1;   /* given, and not a number */
    }
    *(w ? &im->width : &im->height) = v;
    return 1;
}

/* A whole number 1..SERVE_MAX_SIDE. */
static int side(double v)
{
    return v >= 1 && v <= SERVE_MAX_SIDE && v == floor(v);
}

static int read_image(reader *r, serve_request *req)
{
    if (*r->p != '{') {
        int s = skip(r, 1);
        return s != 200 ? s : bad(r, "\"image\" is not an object of width, height and pixels");
    }
    image_parts im = {.width = NAN, .height = NAN};
    int s = members(r, image_member, &im);
    req->pixels = im.pixels;   /* freed with the request, whatever follows */
    if (s != 200)
        return s;
    if (!side(im.width) || !side(im.height))
        return bad(r, "\"image\": width and height are whole numbers 1-%u", SERVE_MAX_SIDE);
    if (!im.has_pixels)
        return bad(r, "\"image\": \"pixels\" is not an array");
    if (im.refused)
        return bad(r, "\"image\": pixel %zu is not a grey level 0-255", im.which);
    size_t w = (size_t)im.width, h = (size_t)im.height;
    if (im.n != w * h)
        return bad(r, "\"image\": %zu pixels for %zu x %zu, which is %zu", im.n, w, h, w * h);
    req->image = 1;
    req->width = w, req->height = h;
    return 200;
}

/* ---- the request ---------------------------------------------------------- */

typedef struct {
    size_t         n_inputs;
    int            image_ok, seen_image, seen_inputs;
    serve_request *req;
} request_parts;

static int request_member(reader *r, const char *name, void *at, int *status)
{
    request_parts *rp = at;
    int image = !strcmp(name, "image");
    if (!image && strcmp(name, "inputs"))
        return 0;
    int *seen = image ? &rp->seen_image : &rp->seen_inputs;
    if (*seen)
        *status = bad(r, "\"%s\" is given twice", name);
    else if (rp->seen_image || rp->seen_inputs)
        *status = bad(r, "give one of \"image\" and \"inputs\"");
    else if (image && !rp->image_ok)
        *status = bad(r, "the network takes a table's %zu inputs, not an image: give "
                      "\"inputs\"", rp->n_inputs);
    else
        *status = image ? read_image(r, rp->req) : read_inputs(r, rp->n_inputs, rp->req);
    *seen = 1;
    return 1;
}

int serve_parse_predict(const char *body, size_t len, size_t n_inputs, int image_ok,
                        serve_request *req, char *msg, size_t cap)
{
    memset(req, 0, sizeof *req);
    reader r = {body, body, body + len, msg, cap};
    int s;
    if (len > SERVE_MAX_BODY) {
        s = bad(&r, "the request is over %u bytes", SERVE_MAX_BODY);
    } else if (space(&r), r.p < r.end && *r.p == '{') {
        request_parts rp = {n_inputs, image_ok, 0, 0, req};
        s = members(&r, request_member, &rp);
        if (s == 200 && (space(&r), r.p != r.end))
            s = not_json(&r, "more follows the object");
        else if (s == 200 && !rp.seen_image && !rp.seen_inputs)
            s = bad(&r, "give one of \"image\" and \"inputs\"");
    } else {
        s = skip(&r, 0);
        if (s == 200 && (space(&r), r.p != r.end))
            s = not_json(&r, "more follows the value");
        else if (s == 200)
            s = bad(&r, "the request is not a JSON object");
    }
    if (s != 200)
        serve_request_free(req);
    return s;
}

void serve_request_free(serve_request *req)
{
    free(req->pixels);
    free(req->inputs);
    memset(req, 0, sizeof *req);
}
