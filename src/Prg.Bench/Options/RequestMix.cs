// The request mix of `prg bench http`: relative weights of message posts, page reads and thread
// creations, e.g. "post=1,get=1,create=0".
using System.Globalization;

namespace Prg.Bench;

/// <summary>Relative weights of the request kinds; at least one is positive.</summary>
public sealed class RequestMix
{
    public const int MaxWeight = 1000;

    public RequestMix(int post, int get, int create)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(post);
        ArgumentOutOfRangeException.ThrowIfNegative(get);
        ArgumentOutOfRangeException.ThrowIfNegative(create);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(post, MaxWeight);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(get, MaxWeight);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(create, MaxWeight);
        if (post + get + create == 0)
        {
            throw new ArgumentException("at least one weight must be positive");
        }

        Post = post;
        Get = get;
        Create = create;
    }

    public int Post { get; }

    public int Get { get; }

    public int Create { get; }

    /// <summary>Whether the run needs chat threads made up front (posts and reads go to them).</summary>
    public bool NeedsThreads => Post > 0 || Get > 0;

    /// <summary>
    /// One cycle of the mix with the kinds interleaved (post=2,get=1 → post, get, post): each
    /// connection walks it from its own offset, so every connection sends the same proportions.
    /// </summary>
    public RequestKind[] Cycle()
    {
        int total = Post + Get + Create;
        var cycle = new RequestKind[total];
        int[] weights = [Post, Get, Create];
        var credit = new int[3];
        for (int slot = 0; slot < total; slot++)
        {
            // Smooth weighted round robin: the kind owed the most goes next.
            int best = -1;
            for (int k = 0; k < 3; k++)
            {
                credit[k] += weights[k];
                if (weights[k] > 0 && (best < 0 || credit[k] > credit[best]))
                {
                    best = k;
                }
            }

            credit[best] -= total;
            cycle[slot] = (RequestKind)best;
        }

        return cycle;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"post={Post},get={Get},create={Create}");

    /// <exception cref="FormatException">The text is not a list of known kind=weight pairs.</exception>
    public static RequestMix Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int post = 0, get = 0, create = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = part.IndexOf('=');
            string name = eq < 0 ? part : part[..eq];
            if (eq < 0 || !int.TryParse(part.AsSpan(eq + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int weight) || weight > MaxWeight)
            {
                throw new FormatException($"'{part}' must be kind=weight with a whole weight from 0 to {MaxWeight}");
            }

            if (!seen.Add(name))
            {
                throw new FormatException($"'{name}' is given twice");
            }

            switch (name)
            {
                case "post": post = weight; break;
                case "get": get = weight; break;
                case "create": create = weight; break;
                default: throw new FormatException($"unknown request kind '{name}' (known: post, get, create)");
            }
        }

        if (post + get + create == 0)
        {
            throw new FormatException("at least one weight must be positive");
        }

        return new RequestMix(post, get, create);
    }
}
