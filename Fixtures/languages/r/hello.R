con <- file("stdin")
name <- trimws(readLines(con, n = 1))
close(con)
cat("Hello ", name, "!\n", sep = "")
