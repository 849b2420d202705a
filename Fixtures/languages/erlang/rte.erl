-module(rte).
-export([start/0]).

start() ->
    Name = io:get_line(""),
    io:format("~p~n", [length(Name) div 0]).
