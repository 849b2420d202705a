#ifndef STACK_H
#define STACK_H
#include <stdbool.h>

typedef struct {
    long items[256];
    int size;
} stack;

bool push(stack *s, long v);
/* Takes the top item into *v; false when the stack is empty. */
bool pop(stack *s, long *v);

#endif
