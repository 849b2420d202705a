main :: IO ()
main = do
  name <- getLine
  print (head (drop 10 name))
