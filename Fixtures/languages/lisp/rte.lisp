(let ((name (read-line)))
  (format t "~a~%" (/ (length name) 0)))
