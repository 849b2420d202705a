package main

import "fmt"

func main() {
	var a []int
	i := 3
	fmt.Println(a[i])
}
