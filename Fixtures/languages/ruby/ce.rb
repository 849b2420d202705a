name = gets.strip
puts "Hello #{name}!"
end
