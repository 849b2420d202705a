name = gets.strip
puts 1 / 0
