let () =
  let xs = [| 1; 2; 3 |] in
  print_int xs.(String.length (read_line ()) + 5)
