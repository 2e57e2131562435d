/* serve_off.c — the server's place in a build without libmicrohttpd: `nnc
 * serve` and `nnc train --serve` say so. */
#include "cli.h"
#include "serve.h"

serve_server *serve_start(const char *host, unsigned port, nnc_net *net, int training)
{
    (void)host, (void)port, (void)net, (void)training;
    cli_error("this nnc was built without libmicrohttpd, so it cannot serve a page "
              "(install libmicrohttpd-dev and build again)");
    return NULL;
}

unsigned serve_port(const serve_server *s)
{
    (void)s;
    return 0;
}

int serve_publish_params(serve_server *s, const nnc_net *live)
{
    (void)s, (void)live;
    return 1;
}

void serve_publish_epoch(serve_server *s, const nnc_epoch_report *r)
{
    (void)s, (void)r;
}

void serve_publish_progress(serve_server *s, const nnc_progress *p, unsigned epochs,
                            double eta_seconds)
{
    (void)s, (void)p, (void)epochs, (void)eta_seconds;
}

void serve_stop(serve_server *s)
{
    (void)s;
}
