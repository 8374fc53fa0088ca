/*
 * durable.h: making a file and its name survive a power cut. A new file is
 * written under a temporary name, its data synced (durable_sync_file), moved
 * to its final name (rename or link), and then the directory holding the name
 * synced (durable_sync_parent): without that last step a crash may leave the
 * old name, or none, although the data were on disk.
 */
#ifndef SIGAP_CORE_DURABLE_H
#define SIGAP_CORE_DURABLE_H

/* fsync of the file at path (opened for reading). 0, or -1 with errno set. */
int durable_sync_file(const char *path);
/* fsync of the directory dir. 0, or -1 with errno set. */
int durable_sync_dir(const char *dir);
/* fsync of the directory holding path ("." for a bare name, "/" for a name
 * in the root). 0, or -1 with errno set (ENAMETOOLONG for a directory name
 * over 4095 bytes). */
int durable_sync_parent(const char *path);

#endif
