/*
 * The C floor of ./jdemi bench echo: a TCP echo server and a closed-loop client on kernel sockets, both busy-polling
 * non-blocking sockets, so that every Java peer is measured against the least a program can pay on this kernel.
 *
 *   jdemi-echo-floor server PORT
 *       Listens on 127.0.0.1:PORT, prints "READY" once it accepts connections, and echoes every byte back until
 *       killed.
 *   jdemi-echo-floor client PORT OUTFILE WARMUP_MS MEASURE_MS SIZE:CONNS...
 *       For each SIZE:CONNS scenario: opens CONNS connections, keeps one SIZE-byte request in flight on each, runs
 *       WARMUP_MS unrecorded and MEASURE_MS recorded, closes them. It starts once a line arrives on standard input
 *       (the bench's word that the server is ready). Writes the results to OUTFILE in the format that
 *       dev.jdemi.tools.bench.RunFile reads (little endian): per scenario int32 size, int32 conns, int64 elapsed ns,
 *       int64 requests, int32 samples, then that many int32 round-trip times in ns.
 *
 * JDEMI_ECHO_HOST, when set to an IPv4 address, replaces 127.0.0.1 on both ends (the server listens on it, the client
 * connects to it): ./jdemi bench veth runs the two ends in two network namespaces joined by veth.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 1024
#define MAX_EVENTS 64
#define BUF_SIZE 65536
/* The most round-trip times kept per scenario; requests beyond it are counted, not kept (the same cap as Java's). */
#define MAX_SAMPLES (4 * 1024 * 1024)
/* How long past its window a scenario waits for its first measured request. */
#define GRACE_NS 10000000000LL

static void die(const char *what) {
    perror(what);
    exit(1);
}

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void set_nodelay(int fd) {
    int one = 1;
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0) {
        die("setsockopt TCP_NODELAY");
    }
}

/* 127.0.0.1, or the address JDEMI_ECHO_HOST names. */
static struct sockaddr_in loopback(int port) {
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t) port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const char *host = getenv("JDEMI_ECHO_HOST");
    if (host != NULL && *host != '\0' && inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
        fprintf(stderr, "JDEMI_ECHO_HOST=%s is not an IPv4 address\n", host);
        exit(2);
    }
    return addr;
}

/* Writes all of buf, spinning on EAGAIN: in a closed loop the peer always drains what we send. */
static int write_all(int fd, const char *buf, size_t len) {
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) {
                continue;
            }
            return -1;
        }
        buf += n;
        len -= (size_t) n;
    }
    return 0;
}

static _Noreturn void server(int port) {
    static char buf[BUF_SIZE];
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (lfd < 0) {
        die("socket");
    }
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = loopback(port);
    if (bind(lfd, (struct sockaddr *) &addr, sizeof addr) < 0) {
        die("bind");
    }
    if (listen(lfd, 1024) < 0) {
        die("listen");
    }
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = lfd};
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
    printf("READY\n");
    fflush(stdout);
    struct epoll_event events[MAX_EVENTS];
    for (;;) {
        int n = epoll_wait(ep, events, MAX_EVENTS, 0);
        for (int i = 0; i < n; i++) {
            int fd = events[i].data.fd;
            if (fd == lfd) {
                int cfd;
                while ((cfd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    set_nodelay(cfd);
                    struct epoll_event cev = {.events = EPOLLIN, .data.fd = cfd};
                    epoll_ctl(ep, EPOLL_CTL_ADD, cfd, &cev);
                }
                continue;
            }
            ssize_t got = read(fd, buf, sizeof buf);
            if (got > 0) {
                if (write_all(fd, buf, (size_t) got) == 0) {
                    continue;
                }
            } else if (got < 0 && (errno == EAGAIN || errno == EINTR)) {
                continue;
            }
            epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
            close(fd);
        }
    }
}

struct conn {
    int fd;
    int received;
    int64_t sent_ns;
};

struct result {
    int64_t elapsed_ns;
    int64_t requests;
    int32_t samples;
};

/*
 * Reads what one connection has; on a full reply records it (when the request was sent inside the measured window, as
 * Java's Recorder does) and sends the next request.
 */
static int on_readable(struct conn *c, char *buf, const char *msg, int size, int64_t measure_start, int32_t *lat,
        struct result *r) {
    ssize_t got = read(c->fd, buf, BUF_SIZE);
    if (got < 0) {
        return (errno == EAGAIN || errno == EINTR) ? 0 : -1;
    }
    if (got == 0) {
        return -1;
    }
    c->received += (int) got;
    if (c->received < size) {
        return 0;
    }
    int64_t t = now_ns();
    if (c->sent_ns >= measure_start) {
        if (r->samples < MAX_SAMPLES) {
            lat[r->samples++] = (int32_t) (t - c->sent_ns);
        }
        r->requests++;
    }
    c->received = 0;
    c->sent_ns = now_ns();
    return write_all(c->fd, msg, (size_t) size);
}

static struct result run_scenario(int port, int size, int nconns, int64_t warmup_ns, int64_t measure_ns,
        int32_t *lat) {
    static struct conn conns[MAX_CONNS];
    static char buf[BUF_SIZE];
    char *msg = malloc((size_t) size);
    memset(msg, 'j', (size_t) size);
    int ep = epoll_create1(0);
    for (int i = 0; i < nconns; i++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in addr = loopback(port);
        if (connect(fd, (struct sockaddr *) &addr, sizeof addr) < 0) {
            die("connect");
        }
        set_nodelay(fd);
        int flags = fcntl(fd, F_GETFL);
        if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
            die("fcntl O_NONBLOCK");
        }
        conns[i] = (struct conn){.fd = fd, .received = 0, .sent_ns = 0};
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t) i};
        epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    }
    struct result r = {0, 0, 0};
    int64_t measure_start = now_ns() + warmup_ns;
    int64_t end = measure_start + measure_ns;
    r.elapsed_ns = measure_ns;
    for (int i = 0; i < nconns; i++) {
        conns[i].sent_ns = now_ns();
        if (write_all(conns[i].fd, msg, (size_t) size) < 0) {
            die("write");
        }
    }
    struct epoll_event events[MAX_EVENTS];
    /* As Java's Recorder: a window in which no request completed is extended (up to GRACE_NS) until one does. */
    for (;;) {
        int64_t t = now_ns();
        if (t >= end && (r.requests > 0 || t >= end + GRACE_NS)) {
            break;
        }
        if (nconns == 1) {
            /* One connection: spin on its read, one system call per poll, as the tightest C client would. */
            if (on_readable(&conns[0], buf, msg, size, measure_start, lat, &r) < 0) {
                die("echo");
            }
            continue;
        }
        int n = epoll_wait(ep, events, MAX_EVENTS, 0);
        for (int i = 0; i < n; i++) {
            if (on_readable(&conns[events[i].data.u32], buf, msg, size, measure_start, lat, &r) < 0) {
                die("echo");
            }
        }
    }
    for (int i = 0; i < nconns; i++) {
        close(conns[i].fd);
    }
    close(ep);
    free(msg);
    return r;
}

static void put(FILE *out, const void *p, size_t n) {
    if (fwrite(p, 1, n, out) != n) {
        die("fwrite");
    }
}

static int client(int port, const char *outfile, int warmup_ms, int measure_ms, int nscenarios, char **scenarios) {
    /* The bench starts the client with the server and says when the server is ready with a line on stdin. */
    int c;
    while ((c = getchar()) != '\n') {
        if (c == EOF) {
            fprintf(stderr, "the bench closed standard input before the server was ready\n");
            return 1;
        }
    }
    int32_t *lat = malloc(sizeof(int32_t) * MAX_SAMPLES);
    FILE *out = fopen(outfile, "wb");
    if (lat == NULL || out == NULL) {
        die(outfile);
    }
    for (int s = 0; s < nscenarios; s++) {
        int size, nconns;
        if (sscanf(scenarios[s], "%d:%d", &size, &nconns) != 2 || size < 1 || size > BUF_SIZE || nconns < 1
                || nconns > MAX_CONNS) {
            fprintf(stderr, "bad scenario %s (SIZE:CONNS)\n", scenarios[s]);
            return 2;
        }
        struct result r = run_scenario(port, size, nconns, (int64_t) warmup_ms * 1000000,
                (int64_t) measure_ms * 1000000, lat);
        int32_t header[2] = {size, nconns};
        put(out, header, sizeof header);
        put(out, &r.elapsed_ns, sizeof r.elapsed_ns);
        put(out, &r.requests, sizeof r.requests);
        put(out, &r.samples, sizeof r.samples);
        put(out, lat, sizeof(int32_t) * (size_t) r.samples);
    }
    if (fclose(out) != 0) {
        die(outfile);
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "server") == 0) {
        server(atoi(argv[2]));
    }
    if (argc >= 7 && strcmp(argv[1], "client") == 0) {
        return client(atoi(argv[2]), argv[3], atoi(argv[4]), atoi(argv[5]), argc - 6, argv + 6);
    }
    fprintf(stderr, "usage: %s server PORT | client PORT OUTFILE WARMUP_MS MEASURE_MS SIZE:CONNS...\n", argv[0]);
    return 2;
}
