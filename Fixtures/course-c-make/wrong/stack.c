#include "stack.h"

bool push(stack *s, long v) {
    if (s->size == 256) return false;
    s->items[s->size++] = v;
    return true;
}

bool pop(stack *s, long *v) {
    if (s->size == 0) return false;
    *v = s->items[--s->size];
    if (s->size > 0) { long t = *v; *v = s->items[s->size - 1]; s->items[s->size - 1] = t; }
    return true;
}
