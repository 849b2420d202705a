x <- function( {
cat("x\n")
