/*
 * archipel-netcfg: configures addresses, links and routes inside many network namespaces from ONE process.
 * It enters each namespace with setns(2) and speaks rtnetlink there: no process per namespace (an exec
 * costs 10-20 ms here, so 400 namespaces configured by `ip` one by one take 5-10 s; this takes well under
 * one). Optional: the network layer falls back to `nsenter ... ip -batch` when it cannot be built.
 *
 * Input (stdin), a subset of `ip -batch` syntax, grouped by namespace:
 *   @ns NAME                                   enter /run/netns/NAME
 *   link set DEV up
 *   addr flush dev DEV                         remove every IPv4 address of DEV
 *   addr add|replace A.B.C.D/LEN dev DEV
 *   route replace default|A.B.C.D/LEN via GW dev DEV [src S]
 * Output: "ok NAME" on stdout after each namespace. On the first error: a message on stderr, exit 1.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int nl = -1;
static unsigned seq = 1;
static char current[64] = "";
static unsigned lineno = 0;

static void die(const char *what, int err) {
  fprintf(stderr, "archipel-netcfg: line %u (namespace %s): %s: %s\n", lineno, current[0] ? current : "-", what, err ? strerror(err) : "invalid input");
  exit(1);
}

/* One request: a header and its payload in one buffer (attributes are appended after the header). */
struct req {
  union {
    struct nlmsghdr h;
    char raw[600];
  };
};

static void addattr(char *msg, unsigned short type, const void *data, unsigned short len) {
  struct nlmsghdr *h = (struct nlmsghdr *)msg;
  if (NLMSG_ALIGN(h->nlmsg_len) + RTA_SPACE(len) > sizeof(struct req)) die("request too large", 0);
  struct rtattr *rta = (struct rtattr *)(msg + NLMSG_ALIGN(h->nlmsg_len));
  rta->rta_type = type;
  rta->rta_len = RTA_LENGTH(len);
  memcpy(RTA_DATA(rta), data, len);
  h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

/* Sends one request and waits for its acknowledgement; returns 0 or a positive errno. */
static int talk(struct nlmsghdr *h) {
  h->nlmsg_seq = ++seq;
  h->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
  if (send(nl, h, h->nlmsg_len, 0) < 0) return errno;
  char buf[8192];
  for (;;) {
    ssize_t n = recv(nl, buf, sizeof buf, 0);
    if (n < 0) return errno;
    for (struct nlmsghdr *r = (struct nlmsghdr *)buf; NLMSG_OK(r, (unsigned)n); r = NLMSG_NEXT(r, n)) {
      if (r->nlmsg_seq != h->nlmsg_seq) continue;
      if (r->nlmsg_type == NLMSG_ERROR) return -((struct nlmsgerr *)NLMSG_DATA(r))->error;
    }
  }
}

static unsigned ifindex(const char *dev) {
  unsigned index = if_nametoindex(dev);
  if (!index) die(dev, errno);
  return index;
}

static void enter(const char *name) {
  char path[128];
  if (strlen(name) > 15 || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(name)) die("bad namespace name", 0);
  snprintf(path, sizeof path, "/run/netns/%s", name);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) die(path, errno);
  if (setns(fd, CLONE_NEWNET) < 0) die("setns", errno);
  close(fd);
  if (nl >= 0) close(nl);
  /* A netlink socket belongs to the namespace it was created in: one per namespace. */
  nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (nl < 0) die("netlink socket", errno);
  snprintf(current, sizeof current, "%s", name);
}

static void link_up(const char *dev) {
  struct req r = {0};
  r.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
  r.h.nlmsg_type = RTM_NEWLINK;
  struct ifinfomsg *ifi = NLMSG_DATA(&r.h);
  ifi->ifi_family = AF_UNSPEC;
  ifi->ifi_index = (int)ifindex(dev);
  ifi->ifi_flags = IFF_UP;
  ifi->ifi_change = IFF_UP;
  int err = talk(&r.h);
  if (err) die("link set up", err);
}

static void parse_prefix(const char *text, struct in_addr *ip, unsigned char *len) {
  char copy[64];
  snprintf(copy, sizeof copy, "%s", text);
  char *slash = strchr(copy, '/');
  long l = 32;
  if (slash) {
    *slash = 0;
    char *end;
    l = strtol(slash + 1, &end, 10);
    if (*end || l < 0 || l > 32) die(text, 0);
  }
  if (inet_pton(AF_INET, copy, ip) != 1) die(text, 0);
  *len = (unsigned char)l;
}

static void addr_add(const char *prefix, const char *dev) {
  struct req r = {0};
  struct in_addr ip;
  unsigned char len;
  parse_prefix(prefix, &ip, &len);
  r.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg));
  r.h.nlmsg_type = RTM_NEWADDR;
  r.h.nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
  struct ifaddrmsg *ifa = NLMSG_DATA(&r.h);
  ifa->ifa_family = AF_INET;
  ifa->ifa_prefixlen = len;
  ifa->ifa_index = ifindex(dev);
  addattr(r.raw, IFA_LOCAL, &ip, 4);
  addattr(r.raw, IFA_ADDRESS, &ip, 4);
  int err = talk(&r.h);
  if (err) die("addr add", err);
}

/* Deletes the IPv4 addresses of one interface: dump them all, then delete those of that index. */
static void addr_flush(const char *dev) {
  unsigned index = ifindex(dev);
  struct req r = {0};
  r.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg));
  r.h.nlmsg_type = RTM_GETADDR;
  r.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  r.h.nlmsg_seq = ++seq;
  ((struct ifaddrmsg *)NLMSG_DATA(&r.h))->ifa_family = AF_INET;
  if (send(nl, &r, r.h.nlmsg_len, 0) < 0) die("addr dump", errno);
  struct { unsigned char len; struct in_addr ip; } found[64];
  int count = 0, done = 0;
  char buf[16384];
  while (!done) {
    ssize_t n = recv(nl, buf, sizeof buf, 0);
    if (n < 0) die("addr dump", errno);
    for (struct nlmsghdr *m = (struct nlmsghdr *)buf; NLMSG_OK(m, (unsigned)n); m = NLMSG_NEXT(m, n)) {
      if (m->nlmsg_type == NLMSG_DONE) { done = 1; break; }
      if (m->nlmsg_type == NLMSG_ERROR) die("addr dump", -((struct nlmsgerr *)NLMSG_DATA(m))->error);
      struct ifaddrmsg *ifa = NLMSG_DATA(m);
      if (ifa->ifa_index != index || count >= 64) continue;
      int left = (int)IFA_PAYLOAD(m);
      for (struct rtattr *a = IFA_RTA(ifa); RTA_OK(a, left); a = RTA_NEXT(a, left)) {
        if (a->rta_type == IFA_LOCAL) {
          found[count].len = ifa->ifa_prefixlen;
          memcpy(&found[count].ip, RTA_DATA(a), 4);
          count++;
        }
      }
    }
  }
  for (int i = 0; i < count; i++) {
    struct req d = {0};
    d.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg));
    d.h.nlmsg_type = RTM_DELADDR;
    struct ifaddrmsg *ifa = NLMSG_DATA(&d.h);
    ifa->ifa_family = AF_INET;
    ifa->ifa_prefixlen = found[i].len;
    ifa->ifa_index = index;
    addattr(d.raw, IFA_LOCAL, &found[i].ip, 4);
    int err = talk(&d.h);
    if (err && err != EADDRNOTAVAIL) die("addr del", err);
  }
}

static void route_replace(const char *dst, const char *via, const char *dev, const char *src) {
  struct req r = {0};
  struct in_addr d = {0}, gw, s;
  unsigned char len = 0;
  if (strcmp(dst, "default") != 0) parse_prefix(dst, &d, &len);
  if (inet_pton(AF_INET, via, &gw) != 1) die(via, 0);
  r.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
  r.h.nlmsg_type = RTM_NEWROUTE;
  r.h.nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
  struct rtmsg *rt = NLMSG_DATA(&r.h);
  rt->rtm_family = AF_INET;
  rt->rtm_dst_len = len;
  rt->rtm_table = RT_TABLE_MAIN;
  rt->rtm_protocol = RTPROT_BOOT;
  rt->rtm_scope = RT_SCOPE_UNIVERSE;
  rt->rtm_type = RTN_UNICAST;
  if (len) addattr(r.raw, RTA_DST, &d, 4);
  addattr(r.raw, RTA_GATEWAY, &gw, 4);
  unsigned oif = ifindex(dev);
  addattr(r.raw, RTA_OIF, &oif, 4);
  if (src) {
    if (inet_pton(AF_INET, src, &s) != 1) die(src, 0);
    addattr(r.raw, RTA_PREFSRC, &s, 4);
  }
  int err = talk(&r.h);
  if (err) die("route replace", err);
}

int main(void) {
  char line[512];
  while (fgets(line, sizeof line, stdin)) {
    lineno++;
    char *w[10] = {0};
    int n = 0;
    for (char *t = strtok(line, " \t\n"); t && n < 10; t = strtok(NULL, " \t\n")) w[n++] = t;
    if (n == 0) continue;
    if (n == 2 && !strcmp(w[0], "@ns")) {
      if (current[0]) printf("ok %s\n", current);
      enter(w[1]);
    } else if (!current[0]) {
      die("no namespace entered yet", 0);
    } else if (n == 4 && !strcmp(w[0], "link") && !strcmp(w[1], "set") && !strcmp(w[3], "up")) {
      link_up(w[2]);
    } else if (n == 4 && !strcmp(w[0], "addr") && !strcmp(w[1], "flush") && !strcmp(w[2], "dev")) {
      addr_flush(w[3]);
    } else if (n == 5 && !strcmp(w[0], "addr") && (!strcmp(w[1], "add") || !strcmp(w[1], "replace")) && !strcmp(w[3], "dev")) {
      addr_add(w[2], w[4]);
    } else if ((n == 7 || n == 9) && !strcmp(w[0], "route") && !strcmp(w[1], "replace") && !strcmp(w[3], "via") && !strcmp(w[5], "dev") &&
               (n == 7 || !strcmp(w[7], "src"))) {
      route_replace(w[2], w[4], w[6], n == 9 ? w[8] : NULL);
    } else {
      die("unsupported command", 0);
    }
  }
  if (current[0]) printf("ok %s\n", current);
  return 0;
}
