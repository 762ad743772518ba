using System.IO.Compression;
using UglyToad.PdfPig.Filters;
using UglyToad.PdfPig.Tokens;

namespace TeacherPlatform.Ingestion.Extraction.Pdf;

/// <summary>
/// PdfPig's filters with every decoded byte charged to the document's <see cref="ExtractionBudget"/>. Flate streams are
/// first inflated into a small scratch buffer that only counts, stopping as soon as the budget is spent, so a 1 MB
/// stream that inflates to gigabytes is refused before anything that large is allocated.
/// </summary>
internal sealed class BudgetedFilterProvider(ExtractionBudget budget) : IFilterProvider
{
    private readonly IFilterProvider _inner = DefaultFilterProvider.Instance;
    private readonly Dictionary<IFilter, IFilter> _wrapped = new(ReferenceEqualityComparer.Instance);
    private readonly Lock _gate = new();

    public IReadOnlyList<IFilter> GetFilters(DictionaryToken dictionary) => Wrap(_inner.GetFilters(dictionary));

    public IReadOnlyList<IFilter> GetNamedFilters(IReadOnlyList<NameToken> names) => Wrap(_inner.GetNamedFilters(names));

    public IReadOnlyList<IFilter> GetAllFilters() => Wrap(_inner.GetAllFilters());

    private IFilter[] Wrap(IReadOnlyList<IFilter> filters)
    {
        var result = new IFilter[filters.Count];
        lock (_gate)
        {
            for (var i = 0; i < filters.Count; i++)
            {
                if (!_wrapped.TryGetValue(filters[i], out var wrapped))
                    _wrapped[filters[i]] = wrapped = new BudgetedFilter(filters[i], budget);
                result[i] = wrapped;
            }
        }

        return result;
    }

    private sealed class BudgetedFilter(IFilter inner, ExtractionBudget budget) : IFilter
    {
        public bool IsSupported => inner.IsSupported;

        public Memory<byte> Decode(Memory<byte> input, DictionaryToken streamDictionary, IFilterProvider filterProvider, int filterIndex)
        {
            budget.Checkpoint();
            long counted = 0;
            if (inner is FlateFilter)
            {
                counted = CountInflated(input, budget.RemainingDecompressedBytes);
                budget.ChargeDecompressed(counted);
            }

            var output = inner.Decode(input, streamDictionary, filterProvider, filterIndex);
            // Other filters (LZW, run-length, ASCII) are charged after the fact; a lenient Flate decoder may also have
            // recovered more than the counting pass did.
            if (output.Length > counted) budget.ChargeDecompressed(output.Length - counted);
            return output;
        }
    }

    /// <summary>
    /// Inflated size of a zlib (or, for writers that omit the header, raw deflate) stream, counting no further than
    /// <paramref name="limit"/> + 1 so the caller's budget check fails without inflating the rest.
    /// </summary>
    internal static long CountInflated(Memory<byte> input, long limit)
    {
        var zlib = Count(input, limit, raw: false);
        return zlib >= 0 ? zlib : Math.Max(0, Count(input.Length > 2 ? input[2..] : input, limit, raw: true));
    }

    /// <returns>Bytes inflated (possibly partial on damaged data), or -1 when nothing could be inflated.</returns>
    private static long Count(Memory<byte> input, long limit, bool raw)
    {
        var scratch = System.Buffers.ArrayPool<byte>.Shared.Rent(64 * 1024);
        long total = 0;
        try
        {
            using var source = new ReadOnlyMemoryStream(input);
            using Stream inflater = raw ? new DeflateStream(source, CompressionMode.Decompress) : new ZLibStream(source, CompressionMode.Decompress);
            int read;
            while ((read = inflater.Read(scratch, 0, scratch.Length)) > 0)
            {
                total += read;
                if (total > limit) return total;
            }

            return total;
        }
        catch (InvalidDataException)
        {
            return total > 0 ? total : -1;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    /// <summary>A read-only stream over a <see cref="Memory{T}"/> without copying it.</summary>
    private sealed class ReadOnlyMemoryStream(Memory<byte> memory) : Stream
    {
        private int _position;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => memory.Length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = Math.Min(buffer.Length, memory.Length - _position);
            memory.Span.Slice(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
