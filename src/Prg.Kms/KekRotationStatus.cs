// A snapshot of the KEK rotation sweep, as GET /rotate_kek/status reports it.
namespace Prg.Kms;

public sealed record KekRotationStatus(
    KekRotationState State,
    string KekId,
    uint KekVersion,
    long Total,
    long Done,
    long Failed,
    IReadOnlyList<string> PreviousKekIds,
    string? LastError);
