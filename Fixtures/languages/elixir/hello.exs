name = IO.gets("") |> String.trim()
IO.puts("Hello #{name}!")
