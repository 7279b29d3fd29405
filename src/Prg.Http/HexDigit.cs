// The value of one ASCII hex digit, shared by percent-decoding and chunk sizes.
namespace Prg.Http;

internal static class HexDigit
{
    /// <summary>0..15, or -1 for a byte that is not a hex digit.</summary>
    public static int Value(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };
}
