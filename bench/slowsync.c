/*
 * slowsync.c: a slower disk, simulated. Built as a shared object
 * (build/libslowsync.so) and loaded with LD_PRELOAD into a process, it makes
 * every fsync() and fdatasync() of that process wait SLOWSYNC_US more
 * microseconds after the real call has returned (0 or unset: no wait). The
 * data is flushed exactly as before; only the time a flush takes changes.
 *
 * Why: the durable-write target compares sigap against a loop of single-row
 * commits, each waiting for its own flush. On this virtual machine a flush
 * takes about 0.2 ms, far less than on most servers' disks (a SATA SSD
 * without a power-loss-protected cache, a network volume or a disk array:
 * 1 to 10 ms). bench/open311.sh loads this into both sigap and the reference
 * loop when SIGAP_BENCH_SYNC_DELAY_US is set, so both pay the same flush
 * time, and prints the figures as simulated. Measures; changes nothing else.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static long delay_us = -1;

static void wait_more(void)
{
	struct timespec ts;
	if (delay_us < 0) {
		const char *e = getenv("SLOWSYNC_US");
		long v = e ? strtol(e, NULL, 10) : 0;
		delay_us = v > 0 && v < 10000000 ? v : 0;
	}
	if (!delay_us)
		return;
	ts.tv_sec = delay_us / 1000000;
	ts.tv_nsec = (delay_us % 1000000) * 1000;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* the real call (looked up once), then the wait; errno is the call's */
static int flush_then_wait(int (**real)(int), const char *name, int fd)
{
	int rc, e;
	if (!*real)
		*real = (int (*)(int))dlsym(RTLD_NEXT, name);
	rc = *real ? (*real)(fd) : -1;
	e = errno;
	wait_more();
	errno = e;
	return rc;
}

int fsync(int fd)
{
	static int (*real)(int);
	return flush_then_wait(&real, "fsync", fd);
}

int fdatasync(int fd)
{
	static int (*real)(int);
	return flush_then_wait(&real, "fdatasync", fd);
}
