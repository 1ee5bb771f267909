/*
 * Reference point for scenario d, not a baseline: the cheapest echo a server can be on this
 * machine — one connection, blocking read(2) of up to 64 KiB, write(2) of everything read once
 * 1 MiB has been collected. No framing, no event loop, no user-space work to speak of: what it
 * reaches with apps/stress is the ceiling the kernel's loopback path and the load tool leave for
 * any server. Not built by CI.
 *
 *   cc -O2 -o /tmp/c-echo tooling/bench/reference/c-echo.c
 *   taskset -c 0 /tmp/c-echo &            # prints "listening 127.0.0.1:PORT", serves one client
 *   taskset -c 1 node apps/stress/bin/stress.js --target 127.0.0.1:PORT \
 *     --connections 1 --depth 4 --size 1m --duration 3 --warmup 0
 *
 * On exit it prints its own CPU time (user, system) on stderr.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define READ_SIZE (64 * 1024)
#define BATCH (1024 * 1024)

int main(void) {
  char *buf = malloc(BATCH + READ_SIZE);
  int one = 1;
  int l = socket(AF_INET, SOCK_STREAM, 0);
  setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(l, (struct sockaddr *)&a, sizeof a) != 0 || listen(l, 16) != 0) return 1;
  socklen_t al = sizeof a;
  getsockname(l, (struct sockaddr *)&a, &al);
  printf("listening 127.0.0.1:%d\n", ntohs(a.sin_port));
  fflush(stdout);
  int c = accept(l, 0, 0);
  setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  size_t have = 0;
  for (;;) {
    ssize_t n = read(c, buf + have, READ_SIZE);
    if (n <= 0) break;
    have += (size_t)n;
    if (have >= BATCH) {
      for (size_t off = 0; off < have;) {
        ssize_t w = write(c, buf + off, have - off);
        if (w <= 0) return 0;
        off += (size_t)w;
      }
      have = 0;
    }
  }
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  fprintf(stderr, "cpu user %.2f s, system %.2f s\n", u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6,
          u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6);
  return 0;
}
