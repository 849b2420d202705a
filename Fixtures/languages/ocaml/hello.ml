let () =
  let name = String.trim (read_line ()) in
  Printf.printf "Hello %s!\n" name
