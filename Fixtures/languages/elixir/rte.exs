name = IO.gets("")
IO.puts(div(String.length(name), 0))
