program ce
  implicit none
  integer :: x
  x = 'text'
end program ce
