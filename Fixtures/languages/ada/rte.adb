with Ada.Text_IO; use Ada.Text_IO;

procedure Rte is
   Xs : array (1 .. 3) of Integer := (others => 0);
   Name : constant String := Get_Line;
begin
   Put_Line (Integer'Image (Xs (Name'Length + 5)));
end Rte;
