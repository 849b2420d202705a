program hello
  implicit none
  character(len=100) :: name
  read (*, '(A)') name
  write (*, '(A)') 'Hello ' // trim(name) // '!'
end program hello
