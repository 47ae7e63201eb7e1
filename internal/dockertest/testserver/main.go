// Command server is the tiny app the Docker tests run in images built FROM
// scratch. It prints "NAME=value" for each variable -print-env names
// (comma-separated), -stderr to stderr, and -lines numbered lines, then
// sleeps -sleep and prints -after, exits with -exit when that is 0 or more,
// and otherwise serves HTTP on $PORT (default 8080): "/" answers "hello",
// "/env?name=X" answers the value of $X.
package main

import (
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"
)

func main() {
	lines := flag.Int("lines", 0, "print this many numbered lines first")
	sleep := flag.Duration("sleep", 0, "sleep this long before going on")
	exit := flag.Int("exit", -1, "exit with this code instead of serving")
	printEnv := flag.String("print-env", "", "print NAME=value for these comma-separated variables first")
	stderr := flag.String("stderr", "", "print this line to stderr first")
	after := flag.String("after", "", "print this line after sleeping")
	flag.String("token", "", "ignored; lets a test find its process")
	flag.Parse()
	for _, name := range strings.Split(*printEnv, ",") {
		if name != "" {
			fmt.Printf("%s=%s\n", name, os.Getenv(name))
		}
	}
	if *stderr != "" {
		fmt.Fprintln(os.Stderr, *stderr)
	}
	for i := 1; i <= *lines; i++ {
		fmt.Printf("line %d\n", i)
	}
	time.Sleep(*sleep)
	if *after != "" {
		fmt.Println(*after)
	}
	if *exit >= 0 {
		fmt.Printf("exiting with %d\n", *exit)
		os.Exit(*exit)
	}
	serve()
}

func serve() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "hello")
	})
	http.HandleFunc("/env", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, os.Getenv(r.URL.Query().Get("name")))
	})
	fmt.Printf("listening on :%s\n", port)
	fmt.Fprintln(os.Stderr, "ready on stderr")
	if err := http.ListenAndServe(":"+port, nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
