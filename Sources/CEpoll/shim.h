#pragma once
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

static inline int sufra_set_thread_name(const char *name) { return pthread_setname_np(pthread_self(), name); }
