main :-
    X is 1 / 0,
    format("~w~n", [X]).
