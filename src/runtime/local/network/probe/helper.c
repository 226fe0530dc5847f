/*
 * archipel-probe: the kernel-facing half of `archipel probe` (the TypeScript half decides what to try and
 * what it means). One process enters network namespaces with setns(2) one after the other; a socket keeps
 * the namespace it was created in, so a single epoll loop can hold listeners and connection attempts of
 * hundreds of namespaces at once: no process per namespace, no interpreter start-up per source.
 *
 * Modes (arguments; input on stdin, output on stdout, one record per line):
 *   listeners                 in: namespace names. out: "INDEX tcp|udp PORT" for every socket listening
 *                             (tcp) or bound (udp) on a non-loopback address, read from /proc/thread-self/net
 *                             after entering the namespace.
 *   serve                     in: "icmp NS" (lift the ICMP error rate limit of that namespace while serving:
 *                             the kernel limits destination-unreachable to ~1/s per peer, which would turn
 *                             rejections into silence), "listen NS tcp|udp PORT", then "go". out: "bound
 *                             INDEX ERRNO" per listen line (0 = bound), then "ready". TCP listeners accept
 *                             and reset; UDP listeners echo. Runs until stdin closes or SIGTERM, then
 *                             restores every sysctl it changed.
 *   connect TIMEOUT_MS MAX    in: "s NS" (source namespace for the following attempts), "t IP PORT tcp|udp".
 *                             out: one line per attempt, in input order: "o|c|f|s|e ERRNO" (open, closed,
 *                             filtered, silent, error).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define NAME_MAX_LEN 64

static void die(const char *what) {
  fprintf(stderr, "archipel-probe: %s: %s\n", what, strerror(errno));
  exit(3);
}

/* Namespace names come from archipel's own state file; checked again here because they become paths. */
static int valid_name(const char *s) {
  size_t n = strlen(s);
  if (n == 0 || n > 15) return 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return 0;
  }
  return 1;
}

static void enter_ns(const char *name) {
  char path[128];
  if (!valid_name(name)) {
    fprintf(stderr, "archipel-probe: invalid namespace name \"%s\"\n", name);
    exit(2);
  }
  snprintf(path, sizeof path, "/run/netns/%s", name);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) die(path);
  if (setns(fd, CLONE_NEWNET) < 0) die("setns");
  close(fd);
}

static void chomp(char *line) {
  size_t n = strlen(line);
  while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
}

static uint64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---------- listeners ---------- */

/* Lines of /proc/net/{tcp,udp}[6]: "sl local_address rem_address st ..."; local "HEXADDR:HEXPORT". */
static void list_file(int index, const char *path, const char *proto, int v6, int want_state) {
  FILE *f = fopen(path, "r");
  if (!f) return;
  char line[512];
  if (!fgets(line, sizeof line, f)) { fclose(f); return; }
  while (fgets(line, sizeof line, f)) {
    char local[64], remote[64];
    unsigned state;
    if (sscanf(line, "%*s %63s %63s %x", local, remote, &state) != 3) continue;
    if ((int)state != want_state) continue;
    char *colon = strchr(local, ':');
    if (!colon) continue;
    *colon = 0;
    unsigned port = (unsigned)strtoul(colon + 1, NULL, 16);
    int loopback = 0;
    if (!v6) {
      uint32_t a = (uint32_t)strtoul(local, NULL, 16); /* host order as printed: first octet lowest */
      loopback = (a & 0xff) == 127;
    } else {
      /* ::1 and ::ffff:127.x are loopback; :: and others are reachable from outside. */
      loopback = strcmp(local, "00000000000000000000000001000000") == 0 ||
                 (strncmp(local, "0000000000000000FFFF0000", 24) == 0 && strncmp(local + 30, "7F", 2) == 0);
    }
    if (!loopback) printf("%d %s %u\n", index, proto, port);
  }
  fclose(f);
}

static int mode_listeners(void) {
  char line[256];
  int index = 0;
  while (fgets(line, sizeof line, stdin)) {
    chomp(line);
    if (!line[0]) continue;
    enter_ns(line);
    list_file(index, "/proc/thread-self/net/tcp", "tcp", 0, 10);
    list_file(index, "/proc/thread-self/net/tcp6", "tcp", 1, 10);
    list_file(index, "/proc/thread-self/net/udp", "udp", 0, 7);
    list_file(index, "/proc/thread-self/net/udp6", "udp", 1, 7);
    index++;
  }
  fflush(stdout);
  return 0;
}

/* ---------- serve ---------- */

struct sysctl_saved { char ns[NAME_MAX_LEN]; char value[32]; };
static struct sysctl_saved *saved;
static int saved_count;
static volatile sig_atomic_t stopping;

static void on_term(int sig) { (void)sig; stopping = 1; }

static int write_file(const char *path, const char *value) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = write(fd, value, strlen(value));
  close(fd);
  return n < 0 ? -1 : 0;
}

static const char *RATEMASK = "/proc/sys/net/ipv4/icmp_ratemask";

static void lift_icmp_limit(const char *ns) {
  enter_ns(ns);
  FILE *f = fopen(RATEMASK, "r");
  if (!f) die(RATEMASK);
  struct sysctl_saved s;
  memset(&s, 0, sizeof s);
  snprintf(s.ns, sizeof s.ns, "%s", ns);
  if (!fgets(s.value, sizeof s.value, f)) { fclose(f); die(RATEMASK); }
  fclose(f);
  chomp(s.value);
  if (write_file(RATEMASK, "0") < 0) die(RATEMASK);
  saved = realloc(saved, sizeof *saved * (size_t)(saved_count + 1));
  if (!saved) die("realloc");
  saved[saved_count++] = s;
}

static void restore_sysctls(void) {
  for (int i = 0; i < saved_count; i++) {
    enter_ns(saved[i].ns);
    write_file(RATEMASK, saved[i].value);
  }
}

static int mode_serve(void) {
  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) die("epoll_create1");
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_term;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
  char line[256];
  int listen_index = 0;
  while (fgets(line, sizeof line, stdin)) {
    chomp(line);
    if (strcmp(line, "go") == 0) break;
    char ns[NAME_MAX_LEN], proto[8];
    unsigned port;
    if (sscanf(line, "icmp %63s", ns) == 1) {
      lift_icmp_limit(ns);
    } else if (sscanf(line, "listen %63s %7s %u", ns, proto, &port) == 3) {
      enter_ns(ns);
      int udp = strcmp(proto, "udp") == 0;
      int fd = socket(AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      int err = 0;
      if (fd < 0) die("socket");
      int one = 1;
      setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      struct sockaddr_in addr;
      memset(&addr, 0, sizeof addr);
      addr.sin_family = AF_INET;
      addr.sin_port = htons((uint16_t)port);
      addr.sin_addr.s_addr = htonl(INADDR_ANY);
      if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 || (!udp && listen(fd, 4096) < 0)) {
        err = errno;
        close(fd);
      } else {
        struct epoll_event ev = { .events = EPOLLIN, .data.u64 = ((uint64_t)udp << 32) | (uint32_t)fd };
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) die("epoll_ctl");
      }
      printf("bound %d %d\n", listen_index++, err);
    } else if (line[0]) {
      fprintf(stderr, "archipel-probe: bad serve line \"%s\"\n", line);
      restore_sysctls();
      return 2;
    }
  }
  printf("ready\n");
  fflush(stdout);
  /* stdin closing (the parent is done, or died) ends the service. */
  struct epoll_event ev = { .events = EPOLLIN | EPOLLHUP, .data.u64 = (uint64_t)2 << 32 };
  epoll_ctl(ep, EPOLL_CTL_ADD, 0, &ev);
  struct epoll_event events[256];
  char buf[512];
  while (!stopping) {
    int n = epoll_wait(ep, events, 256, 1000);
    if (n < 0 && errno != EINTR) die("epoll_wait");
    for (int i = 0; i < n; i++) {
      uint32_t kind = (uint32_t)(events[i].data.u64 >> 32);
      int fd = (int)(uint32_t)events[i].data.u64;
      if (kind == 2) {
        ssize_t r = read(0, buf, sizeof buf);
        if (r <= 0) stopping = 1;
      } else if (kind == 1) {
        struct sockaddr_in from;
        socklen_t len = sizeof from;
        ssize_t r;
        while ((r = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &len)) >= 0) {
          sendto(fd, "archipel-canary\n", 16, MSG_DONTWAIT, (struct sockaddr *)&from, len);
          len = sizeof from;
        }
      } else {
        int c;
        while ((c = accept4(fd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
          struct linger lg = { 1, 0 }; /* reset: no TIME_WAIT left behind by thousands of probes */
          setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
          close(c);
        }
      }
    }
  }
  restore_sysctls();
  return 0;
}

/* ---------- connect ---------- */

struct attempt {
  uint32_t ip;      /* network order */
  uint16_t port;
  uint8_t udp;
  char result;      /* 0 pending, else o c f s e */
  int err;
  int fd;
  uint32_t source;  /* index into sources */
};

static char classify(int err, int udp) {
  switch (err) {
    case 0: return 'o';
    /* A reset after the handshake (the canary accepts and resets at once): the port was reached. */
    case ECONNRESET: return udp ? 'e' : 'o';
    case ECONNREFUSED: return 'c';
    case EHOSTUNREACH: case ENETUNREACH: case EACCES: case EPERM: return 'f';
    case ETIMEDOUT: return 's';
    default: return 'e';
  }
}

static int mode_connect(int timeout_ms, int max_inflight) {
  size_t cap = 1024, n = 0, ns_cap = 64, ns_n = 0;
  struct attempt *a = malloc(cap * sizeof *a);
  char (*sources)[NAME_MAX_LEN] = malloc(ns_cap * NAME_MAX_LEN);
  if (!a || !sources) die("malloc");
  char line[256];
  while (fgets(line, sizeof line, stdin)) {
    chomp(line);
    char ns[NAME_MAX_LEN], ip[32], proto[8];
    unsigned port;
    if (sscanf(line, "s %63s", ns) == 1) {
      if (!valid_name(ns)) { fprintf(stderr, "archipel-probe: invalid namespace \"%s\"\n", ns); return 2; }
      if (ns_n == ns_cap) { ns_cap *= 2; sources = realloc(sources, ns_cap * NAME_MAX_LEN); if (!sources) die("realloc"); }
      snprintf(sources[ns_n++], NAME_MAX_LEN, "%s", ns);
    } else if (sscanf(line, "t %31s %u %7s", ip, &port, proto) == 3) {
      if (ns_n == 0 || port == 0 || port > 65535) { fprintf(stderr, "archipel-probe: bad attempt \"%s\"\n", line); return 2; }
      if (n == cap) { cap *= 2; a = realloc(a, cap * sizeof *a); if (!a) die("realloc"); }
      struct in_addr in;
      if (inet_pton(AF_INET, ip, &in) != 1) { fprintf(stderr, "archipel-probe: bad address \"%s\"\n", ip); return 2; }
      a[n] = (struct attempt){ in.s_addr, (uint16_t)port, (uint8_t)(strcmp(proto, "udp") == 0), 0, 0, -1, (uint32_t)(ns_n - 1) };
      n++;
    } else if (line[0]) {
      fprintf(stderr, "archipel-probe: bad connect line \"%s\"\n", line);
      return 2;
    }
  }
  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) die("epoll_create1");
  /* In-flight attempts in start order: they share one timeout, so the oldest always expires first. */
  size_t *ring = malloc((size_t)max_inflight * sizeof *ring);
  uint64_t *started = malloc((size_t)max_inflight * sizeof *started);
  if (!ring || !started) die("malloc");
  size_t head = 0, count = 0, next = 0;
  long current_ns = -1;
  struct epoll_event events[512];
  static const char payload[] = "archipel-probe\n";
  while (next < n || count > 0) {
    while (next < n && count < (size_t)max_inflight) {
      struct attempt *t = &a[next];
      if ((long)t->source != current_ns) { enter_ns(sources[t->source]); current_ns = (long)t->source; }
      int fd = socket(AF_INET, (t->udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (fd < 0) die("socket");
      struct sockaddr_in addr;
      memset(&addr, 0, sizeof addr);
      addr.sin_family = AF_INET;
      addr.sin_port = htons(t->port);
      addr.sin_addr.s_addr = t->ip;
      int r = connect(fd, (struct sockaddr *)&addr, sizeof addr);
      if (r == 0 && t->udp) r = (int)send(fd, payload, sizeof payload - 1, 0) < 0 ? -1 : 0;
      if (r < 0 && errno != EINPROGRESS) {
        t->err = errno;
        t->result = classify(errno, t->udp);
        close(fd);
        next++;
        continue;
      }
      if (r == 0 && !t->udp) { t->result = 'o'; close(fd); next++; continue; }
      t->fd = fd;
      struct epoll_event ev = { .events = (t->udp ? EPOLLIN : EPOLLOUT) | EPOLLERR, .data.u64 = next };
      if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) die("epoll_ctl");
      size_t slot = (head + count) % (size_t)max_inflight;
      ring[slot] = next;
      started[slot] = now_ms();
      count++;
      next++;
    }
    int wait = 0;
    if (count > 0) {
      uint64_t deadline = started[head] + (uint64_t)timeout_ms, now = now_ms();
      wait = deadline > now ? (int)(deadline - now) : 0;
    }
    int got = epoll_wait(ep, events, 512, wait);
    if (got < 0 && errno != EINTR) die("epoll_wait");
    for (int i = 0; i < got; i++) {
      struct attempt *t = &a[events[i].data.u64];
      if (t->result) continue;
      int err = 0;
      if (t->udp) {
        char buf[64];
        ssize_t r = recv(t->fd, buf, sizeof buf, MSG_DONTWAIT);
        if (r < 0) { if (errno == EAGAIN) continue; err = errno; }
      } else {
        socklen_t len = sizeof err;
        getsockopt(t->fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err == 0) {
          struct linger lg = { 1, 0 };
          setsockopt(t->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        }
      }
      t->err = err;
      t->result = classify(err, t->udp);
      close(t->fd);
      t->fd = -1;
    }
    /* Drop finished attempts from the head; expire the overdue ones as silent. */
    uint64_t now = now_ms();
    while (count > 0) {
      struct attempt *t = &a[ring[head]];
      if (!t->result) {
        if (started[head] + (uint64_t)timeout_ms > now) break;
        t->result = 's';
        t->err = ETIMEDOUT;
        close(t->fd);
        t->fd = -1;
      }
      head = (head + 1) % (size_t)max_inflight;
      count--;
    }
  }
  for (size_t i = 0; i < n; i++) printf("%c %d\n", a[i].result, a[i].result == 'o' || a[i].result == 's' ? 0 : a[i].err);
  fflush(stdout);
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "listeners") == 0) return mode_listeners();
  if (argc >= 2 && strcmp(argv[1], "serve") == 0) return mode_serve();
  if (argc >= 4 && strcmp(argv[1], "connect") == 0) {
    int timeout = atoi(argv[2]), max = atoi(argv[3]);
    if (timeout < 1 || timeout > 60000 || max < 1 || max > 8192) { fprintf(stderr, "archipel-probe: bad limits\n"); return 2; }
    return mode_connect(timeout, max);
  }
  fprintf(stderr, "usage: archipel-probe listeners | serve | connect TIMEOUT_MS MAX_INFLIGHT\n");
  return 2;
}
