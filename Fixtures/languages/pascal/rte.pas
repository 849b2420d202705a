program Rte;
{$R+}
var
  xs: array[1..3] of integer;
  name: string;
  i: integer;
begin
  readln(name);
  i := length(name) + 5;
  writeln(xs[i]);
end.
