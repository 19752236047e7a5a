/* rsp_address.c: the gdbstub address a user gives (--attach): a unix socket path
 * ("unix:PATH" or anything with a slash) or a loopback TCP "HOST:PORT"; any other
 * host is refused. Pure: it opens nothing. */
#include "rsp.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Loopback only: the gdbstub gives full control of the machine to whoever connects,
 * so syswalk never talks to (or encourages) a stub listening beyond this host. */
static int parse_tcp(const char *host, const char *port, struct sockaddr_in *sa, char *err,
		     size_t errlen)
{
	char *end;
	long p = strtol(port, &end, 10);

	if (*port == '\0' || *end != '\0' || p <= 0 || p > 65535) {
		snprintf(err, errlen, "bad port '%s' (want 1..65535)", port);
		return RSP_ERR_ADDRESS;
	}
	if (strcmp(host, "localhost") == 0)
		host = "127.0.0.1";
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	if (inet_pton(AF_INET, host, &sa->sin_addr) != 1 || (ntohl(sa->sin_addr.s_addr) >> 24) != 127) {
		snprintf(err, errlen, "refusing gdbstub host '%s': only loopback (127.0.0.1 or "
			 "localhost) is allowed", host);
		return RSP_ERR_ADDRESS;
	}
	sa->sin_port = htons((uint16_t)p);
	return 0;
}

int rsp_parse_address(const char *where, struct rsp_address *a, char *err, size_t errlen)
{
	const char *path = strncmp(where, "unix:", 5) == 0 ? where + 5 : strchr(where, '/') ? where : NULL;
	char host[256];

	memset(a, 0, sizeof(*a));
	if (path) {
		a->un.sun_family = AF_UNIX;
		if (!*path) {
			snprintf(err, errlen, "'%s' names no socket path", where);
			return RSP_ERR_ADDRESS;
		}
		if (strlen(path) >= sizeof(a->un.sun_path)) {
			snprintf(err, errlen, "socket path too long (%zu bytes, max %zu): %s",
				 strlen(path), sizeof(a->un.sun_path) - 1, path);
			return RSP_ERR_ADDRESS;
		}
		memcpy(a->un.sun_path, path, strlen(path) + 1);
		a->is_unix = true;
		return 0;
	}
	const char *colon = strrchr(where, ':');
	if (!colon || (size_t)(colon - where) >= sizeof(host)) {
		snprintf(err, errlen, "'%s' is neither a socket path (unix:PATH) nor 127.0.0.1:PORT", where);
		return RSP_ERR_ADDRESS;
	}
	memcpy(host, where, (size_t)(colon - where));
	host[colon - where] = '\0';
	return parse_tcp(host, colon + 1, &a->in, err, errlen);
}
