using Hypervisor.Abi;

namespace Hypervisor.Core.Domains
{
    /// <summary>Every domain that exists, by id: what a domain id in a hypercall argument (a remote
    /// shutdown, an event channel's peer, a foreign domain) is looked up in. Ids below DOMID_FIRST_RESERVED
    /// only; a domain leaves the list when it is destroyed.</summary>
    public sealed class DomainList
    {
        public const int Capacity = 256;

        private readonly Domain[] domains = new Domain[Capacity];

        /// <summary>Slots [0, Count) may hold domains (some empty); iterate with <see cref="At"/>.</summary>
        public int Count { get; private set; }

        public Domain At(int index) => domains[index];

        /// <summary>Adds <paramref name="domain"/>; false if its id is taken or out of range.</summary>
        public bool Add(Domain domain)
        {
            if (domain.Id >= Capacity || domains[domain.Id] != null)
                return false;
            domains[domain.Id] = domain;
            if (domain.Id >= Count)
                Count = domain.Id + 1;
            return true;
        }

        public void Remove(Domain domain)
        {
            if (domain.Id < Capacity && domains[domain.Id] == domain)
                domains[domain.Id] = null;
        }

        private int rover;

        /// <summary>A free id for a new domain (createdomain without one): the next after the last one
        /// handed out, wrapping past the end and never 0, as Xen's rover does; -1 when all are taken.</summary>
        public int AllocateId()
        {
            for (int step = 1; step < Capacity; step++)
            {
                int id = (rover + step) % Capacity;
                if (id != 0 && domains[id] == null)
                {
                    rover = id;
                    return id;
                }
            }
            return -1;
        }

        /// <summary>The domain with id <paramref name="id"/>, or null.</summary>
        public Domain Find(uint id) => id < Capacity ? domains[(int)id] : null;

        /// <summary>A hypercall's domain argument: DOMID_SELF or an id means that domain; null if none.</summary>
        public Domain Resolve(Domain caller, uint id) => id == DomainId.Self ? caller : Find(id);
    }
}
