// Package serve groups the consumers of the pipeline's state: the LX200
// position server for planetarium programs such as SkySafari (package
// serve/lx200) and the JSON / Server-Sent Events API for embedding programs
// and web pages (package serve/api).
//
// Both only read snapshots of the state (a latest-wins subscription) and send
// typed updates (goto target, alignment pixel) to the state owner; a slow or
// misbehaving client can delay only itself, never the pipeline.
package serve
