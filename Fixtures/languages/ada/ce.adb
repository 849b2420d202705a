with Ada.Text_IO; use Ada.Text_IO;

procedure Ce is
   X : Integer := "text";
begin
   Put_Line (Integer'Image (X));
end Ce;
