with Ada.Text_IO; use Ada.Text_IO;

procedure Hello is
   Name : constant String := Get_Line;
begin
   Put_Line ("Hello " & Name & "!");
end Hello;
