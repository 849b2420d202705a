#ifndef PROCTOR_CSECCOMP_SHIM_H
#define PROCTOR_CSECCOMP_SHIM_H
#include <seccomp.h>
#endif
