#pragma once
// Same feature macros as CEpoll, so both modules see one definition of the libc types (fd_set …) that
// hiredis' headers pull in.
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <hiredis/hiredis.h>
#include <hiredis/async.h>
