// Command server is the tiny app the Docker tests run in images built FROM
// scratch. It prints -lines numbered lines, sleeps -sleep, exits with -exit
// when that is 0 or more, and otherwise serves HTTP on $PORT (default 8080):
// "/" answers "hello", "/env?name=X" answers the value of $X.
package main

import (
	"flag"
	"fmt"
	"net/http"
	"os"
	"time"
)

func main() {
	lines := flag.Int("lines", 0, "print this many numbered lines first")
	sleep := flag.Duration("sleep", 0, "sleep this long before going on")
	exit := flag.Int("exit", -1, "exit with this code instead of serving")
	flag.String("token", "", "ignored; lets a test find its process")
	flag.Parse()
	for i := 1; i <= *lines; i++ {
		fmt.Printf("line %d\n", i)
	}
	time.Sleep(*sleep)
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
