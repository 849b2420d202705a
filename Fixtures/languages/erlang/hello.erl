-module(hello).
-export([start/0]).

start() ->
    Name = string:trim(io:get_line("")),
    io:format("Hello ~s!~n", [Name]).
