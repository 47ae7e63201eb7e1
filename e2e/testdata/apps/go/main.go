// Command go-sample is the Go sample app of Quayside's end-to-end tests: the
// standard library only. It answers GET / on $PORT.
package main

import (
	"fmt"
	"log"
	"net/http"
	"os"
	"runtime"
)

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "Hello from the go sample (%s)\n", runtime.Version())
	})
	log.Printf("go sample listening on :%s", port)
	log.Fatal(http.ListenAndServe(":"+port, nil))
}
