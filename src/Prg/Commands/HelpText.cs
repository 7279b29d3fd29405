// The text of `prg --help`.
namespace Prg.Commands;

public static class HelpText
{
    public const string Usage = """
        prg - chat-message store with per-thread envelope encryption (ProgressDB API)

        Usage: prg <command> [options]

        Commands:
          serve     Run the chat store (default: 127.0.0.1:8080, data in ./prg-data,
                    embedded KMS with a master key generated on first run).
                      --config FILE   YAML config (else $PROGRESSDB_CONFIG, else ./config.yaml)
                      --master-key-fd N  read the master key from inherited descriptor N (0 = stdin)
                      --salvage       start even if the write-ahead log is damaged; reports what is lost
          kms       Run the external key service (prgkms) on a Unix socket (0600) or mutual TLS.
                      --master-key-file FILE --socket PATH --data-dir DIR; see 'prg kms --help'
          keygen    Write a new 32-byte master key as hex to a new file with mode 0600.
                      --out FILE      where to write it (refuses to overwrite)
          bench     Measure throughput and latency (see 'prg bench --help'):
                      crypto                      in-process frame encrypt/decrypt vs bare AES-GCM
                      kms --endpoint unix:/PATH   round trips and batches against prg kms
                      http --url URL --api-key K  load generator for a running prg serve
          backup    Online, consistent backup of a running server into one archive (no master key).
                      --url URL --admin-key KEY --out FILE
          restore   Restore a backup into a new or empty data directory, checking every checksum.
                      --in FILE --data-dir DIR [--verify] [--master-key-file F]
          export    Write users, threads and messages (readable, with versions) as JSON lines.
                      --url URL --admin-key A --backend-key B [--user U] [--thread T] [--out FILE]
          import    Load 'prg export' lines into a running prg, keeping keys, authors, timestamps.
                      --url URL --admin-key A [--in FILE]   (export | import moves a live server)
          version   Print the version.
          help      Print this help.

        Environment variables (PROGRESSDB_*) override the config file; see README.md.
        Exit codes: 0 success, 1 failure or refusal to start, 2 bad usage.

        """;
}
