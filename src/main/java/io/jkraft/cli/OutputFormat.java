package io.jkraft.cli;

/** How a command prints its result: for people (text, or kraft's name for it, table), or for programs. */
enum OutputFormat { text, table, json }
