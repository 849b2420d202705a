import std.stdio;

void main() {
    int x = "text";
}
