(let ((name (read-line)))
  (format t "Hello ~a!~%" name)
