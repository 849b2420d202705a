import std.stdio, std.string;

void main() {
    string name = readln().strip();
    writeln("Hello ", name, "!");
}
