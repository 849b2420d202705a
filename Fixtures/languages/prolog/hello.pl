main :-
    read_line_to_string(user_input, Line),
    split_string(Line, "", " \t\r", [Name]),
    format("Hello ~w!~n", [Name]).
