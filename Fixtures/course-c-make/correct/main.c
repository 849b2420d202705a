/* Reads lines of integers and + - * / in reverse Polish notation; prints each line's value,
   or "error" for a line that does not leave exactly one value. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stack.h"

static bool apply(stack *s, char op) {
    long a, b;
    if (!pop(s, &b) || !pop(s, &a)) return false;
    switch (op) {
    case '+': return push(s, a + b);
    case '-': return push(s, a - b);
    case '*': return push(s, a * b);
    case '/': return b != 0 && push(s, a / b);
    }
    return false;
}

int main(void) {
    char line[4096];
    while (fgets(line, sizeof line, stdin)) {
        stack s = {.size = 0};
        bool ok = true;
        for (char *tok = strtok(line, " \t\r\n"); tok && ok; tok = strtok(NULL, " \t\r\n")) {
            if (strlen(tok) == 1 && strchr("+-*/", tok[0])) ok = apply(&s, tok[0]);
            else ok = push(&s, strtol(tok, NULL, 10));
        }
        long v;
        if (ok && s.size == 1 && pop(&s, &v)) printf("%ld\n", v);
        else puts("error");
    }
    return 0;
}
