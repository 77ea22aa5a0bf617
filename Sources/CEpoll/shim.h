#pragma once
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

// glibc declares this only under _GNU_SOURCE, which would make these headers differ from Glibc's module.
extern int pthread_setname_np(pthread_t thread, const char *name);

static inline int sufra_set_thread_name(const char *name) { return pthread_setname_np(pthread_self(), name); }
