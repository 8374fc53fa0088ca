/* durable.c: see durable.h. */
#include "core/durable.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/banned.h"

static int sync_fd_of(const char *path, int flags)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | flags), rc, e;
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	e = errno;
	close(fd);
	errno = e;
	return rc ? -1 : 0;
}

int durable_sync_file(const char *path)
{
	return sync_fd_of(path, 0);
}

int durable_sync_dir(const char *dir)
{
	return sync_fd_of(dir, O_DIRECTORY);
}

int durable_sync_parent(const char *path)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	if (!slash)
		return durable_sync_dir(".");
	if (slash == path)
		return durable_sync_dir("/");
	if ((size_t)(slash - path) >= sizeof(dir)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';
	return durable_sync_dir(dir);
}
