(let ((name (string-trim " " (read-line))))
  (format t "Hello ~a!~%" name))
