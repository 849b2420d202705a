program Ce;
var
  x: integer;
begin
  x := 'text';
end.
