program rte
  implicit none
  integer :: x
  read (*, *) x
  write (*, *) x
end program rte
